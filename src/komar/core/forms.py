from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names a form field,
    otherwise at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


T = TypeVar("T")


def save_with(form: forms.BaseForm, call: Callable[[], T]) -> T | None:
    """Run a service for a valid form. A ValidationError the service raises becomes the form's
    errors (nothing was saved), and None is returned; otherwise the service's result."""
    if not form.is_valid():
        return None
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
