"""The bottom layer: errors, records, settings, configuration loading and the Protocols the
layers above meet at. It imports nothing of ours above it."""
