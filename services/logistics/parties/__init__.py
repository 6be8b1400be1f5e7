"""The party registry as logistics knows it: a mirror kept from the gateway's events.

Logistics needs it to know which codes belong to registered logistics firms (an event
naming a carrier that is neither in the carrier table nor registered is refused), and
which party a customs waybill's carrier is when a shipment was made through the API.
"""
