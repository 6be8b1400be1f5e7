-- One database per service (they never read each other's tables).
CREATE DATABASE ddt_gateway;
CREATE DATABASE ddt_declaration;
CREATE DATABASE ddt_logistics;
CREATE DATABASE ddt_payments;
CREATE DATABASE ddt_stats;
