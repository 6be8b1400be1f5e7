"""Export credit insurance: short-term policies, buyer credit limits, shipment declarations
(出运申报) and policy financing."""
