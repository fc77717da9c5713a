"""Text data: which columns hold free text, their representations, and near copies."""
