"""Emitters: pure functions from the model to nmstate state and NetworkManager keyfiles."""
