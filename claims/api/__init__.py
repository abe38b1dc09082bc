"""The REST API: viewsets, serializers, permissions, schema and error shapes over
the domain. Imports the domain and the exchange room, never the pages."""
