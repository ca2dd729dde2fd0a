# tools: sources are added here.
