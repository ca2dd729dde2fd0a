# config: sources are added here.
