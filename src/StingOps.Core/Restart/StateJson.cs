using System.Text.Json.Serialization;

namespace StingOps.Core.Restart;

/// <summary>
/// Serialisation metadata, generated at build time, for the state files a run writes (its journal, the lock's owner,
/// the readiness record). With reflection, System.Text.Json emitted accessors for these types at run time: in a
/// fresh process, for a one-service restart, more than a hundred dynamic methods and their optimising recompiles.
/// Each caller keeps its own options (indentation, ignore conditions); this context only supplies the metadata.
/// </summary>
[JsonSerializable(typeof(JournalEntry))]
[JsonSerializable(typeof(LockOwner))]
[JsonSerializable(typeof(List<ObservedReadiness>))]
internal sealed partial class StateJson : JsonSerializerContext;
