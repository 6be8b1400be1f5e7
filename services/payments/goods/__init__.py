"""The goods side, as payments knows it: declarations and their customs receipts, from events."""
