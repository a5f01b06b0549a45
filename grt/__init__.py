"""grt: a terminal companion for facilitators of Groupes de Rencontres du Travail."""

__version__ = "0.1.0"
