"""The vault lives in :mod:`shared.vault` (payments seals financial data with it too); this
name stays for the declaration modules that import it."""

from shared.vault import Sealed, Vault, VaultError, parse_keyring

__all__ = ["Sealed", "Vault", "VaultError", "parse_keyring"]
