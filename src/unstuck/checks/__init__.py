"""The checks, one module per family; every module here is discovered by the registry."""
