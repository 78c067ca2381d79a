"""Django's makemessages without fuzzy matching: a new string starts untranslated (so the catalogue
check catches it) instead of inheriting a wrong guess from a similar old string."""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    msgmerge_options = [*MakeMessagesCommand.msgmerge_options, "--no-fuzzy-matching"]
