"""Settlement of receipts: FX into CNY (结汇), or cross-border RMB settlement."""
