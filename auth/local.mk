# auth: sources are added here.
