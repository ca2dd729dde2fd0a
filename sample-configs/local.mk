# sample-configs: sources are added here.
