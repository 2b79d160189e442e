"""Everything that talks to Elasticsearch: client, mapping, index lifecycle, bulk writer,
search, status and Kibana saved objects. Stages never import from here."""
