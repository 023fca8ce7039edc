"""Everything that reads files: YAML profiles and catalogs, prompt files, tokenizers."""
