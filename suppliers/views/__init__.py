"""Views: ``public`` (directory, profile, base, application), ``portal`` (a supplier's own records) and
``staff`` (review and decisions). Each is thin: it parses input, calls a selector or a service, renders."""
