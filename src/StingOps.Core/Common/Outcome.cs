namespace StingOps.Core.Common;

/// <summary>How one service ended in one run: the one status every part (restart, health, metrics) speaks.</summary>
/// <remarks>Started, AlreadyRunning and Stopped are the outcomes of Start, Repair and Stop: a service started that was
/// not running, one left alone because it ran and was ready, one stopped (or found stopped).</remarks>
public enum OutcomeStatus { Succeeded, Failed, RolledBack, Skipped, Cancelled, Started, AlreadyRunning, Stopped }

/// <summary>Why a service did not succeed; None when it did.</summary>
public enum OutcomeReason { None, Timeout, Dependency, HealthCheck, Engine, Prerequisite, Cancelled }
