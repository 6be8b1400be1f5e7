"""Logistics costs: what a shipment's freight cost, recorded by its carrier or its enterprise.

Statistics add them up per enterprise and year for the policy's logistics subsidy
(三(九): by yearly trade and international logistics cost).
"""
