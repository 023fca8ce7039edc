"""The comparison: the cost engine, break-evens, the featured pair, uncertainty, sensitivity."""
