"""Helpers shared by the test suites: real infrastructure, never mocks of our own."""
