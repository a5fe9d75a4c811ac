"""Layer loaders: one per recipe ``type``, each returning urbanrisk's standard schema in EPSG:4326."""
