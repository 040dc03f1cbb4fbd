namespace StingOps.Core.Common;

/// <summary>How one service ended in one run: the one status every part (restart, health, metrics) speaks.</summary>
public enum OutcomeStatus { Succeeded, Failed, RolledBack, Skipped, Cancelled }

/// <summary>Why a service did not succeed; None when it did.</summary>
public enum OutcomeReason { None, Timeout, Dependency, HealthCheck, Engine, Prerequisite, Cancelled }
