// Placeholder until the own-store schema lands; replaced by the dashboard work.
