"""The only part that touches the live system: plan, back up, checkpoint, apply, verify, commit."""
