namespace StingOps;

public enum ServiceState { Running, Restarting, Paused, Exited, Dead, Created, NotCreated, Disabled, Unknown }

public enum ServiceHealth { Healthy, Unhealthy, Starting, None, Unknown }

public enum RestartStatus { Succeeded, Failed, RolledBack, Skipped, Cancelled, Started, AlreadyRunning, Stopped }

public enum FailureReason { None, Timeout, Dependency, HealthCheck, Engine, Prerequisite, Cancelled }

public enum PrerequisiteSeverity { Error, Warning }
