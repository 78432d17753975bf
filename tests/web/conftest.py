"""The web pages' tests use the shared browser fixtures of tests/browser.py."""
