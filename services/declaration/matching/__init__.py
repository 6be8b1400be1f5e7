"""Three-document match (三单对碰) state: inventories wait for their partners."""
