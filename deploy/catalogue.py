"""The platform's services as the deployment files see them: names, ports, settings classes.

Everything under ``deploy/`` (compose, Kubernetes, the cluster runner, the migration step)
and the tests that check those files derive the service list and each service's settings
from here, so a service or a setting added in the code is one the deployment checks see.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from shared.messaging.topics import SERVICES
from shared.service import ServiceDefinition
from shared.settings import ServiceSettings, env_name

__all__ = [
    "SERVICES",
    "database_url_variable",
    "definition_of",
    "port_of",
    "secret_variables",
    "settings_class",
]


def settings_class(service: str) -> type[ServiceSettings]:
    """The :class:`ServiceSettings` subclass of ``service`` (``services.<service>.settings``)."""
    module = importlib.import_module(f"services.{service}.settings")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
        and value.service_name == service
    ]
    if len(classes) != 1:
        raise LookupError(f"services.{service}.settings defines {len(classes)} settings classes")
    return classes[0]


def definition_of(service: str) -> ServiceDefinition:
    """The service's :class:`ServiceDefinition` (its consumers, background tasks …)."""
    module = importlib.import_module(f"services.{service}.app")
    definition: ServiceDefinition = module.definition()
    return definition


def port_of(service: str) -> int:
    """The port the service listens on by default."""
    return settings_class(service).default_port


def database_url_variable(service: str) -> str:
    """``DDT_<SERVICE>_DATABASE_URL``."""
    return env_name(settings_class(service), "database_url")


def secret_variables(service: str) -> set[str]:
    """The variables production refuses to run ``service`` without (its own and the platform's)."""
    from shared.settings import PlatformSettings

    names: set[str] = set()
    for cls in (PlatformSettings, settings_class(service)):
        for name, field in cls.model_fields.items():
            if isinstance(field.json_schema_extra, Mapping) and field.json_schema_extra.get("secret"):
                names.add(env_name(cls, name))
    return names
