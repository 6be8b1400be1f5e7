"""Subscriptions: who wants to hear about which shipments, delivered through the gateway's webhooks.

A party subscribes to its shipments — all of them, or those of one order number, customs
waybill number or tracking number — and the kinds of change it wants. The logistics service
decides who hears about a change (only a party the shipment belongs to, however the
subscription names it) and publishes one :class:`~shared.events.logistics.TrackingNotification`
per subscription, addressed by ``party_id``; the gateway's webhook fan-out signs and
delivers it to the party's endpoints, with retries and a dead-letter log.
"""
