"""Watch: poll feeds and folders listed in SOURCES.toml, ingest what is new, raise alerts.

Import the parts from their modules (``veille.watch.config``, ``veille.watch.loop``): the
config is needed by the alert rules, the loop needs the alerts.
"""
