"""Pydantic schemas of the files costcalc reads (profiles, catalog) and the JSON it writes.

Import the module that holds a model (costcalc.schema.profile, costcalc.schema.catalog, …): this
package loads none of them itself, so a command that needs none starts without pydantic.
"""
