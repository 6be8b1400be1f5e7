"""Logistics in the statistics: each shipment's transit figures (the regulator's view of
transit times and exceptions by mode and route) and the logistics costs recorded per
shipment, whose international freight a reward run pays the logistics subsidy on (三(九))."""
