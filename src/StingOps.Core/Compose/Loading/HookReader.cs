using StingOps.Core.Compose.Yaml;

namespace StingOps.Core.Compose.Loading;

/// <summary>
/// A service's <c>post_start</c> or <c>pre_stop</c> (compose-spec lifecycle hooks): a list of
/// <c>{command, user, privileged, working_dir, environment}</c>, where only <c>command</c> is required.
/// </summary>
internal static class HookReader
{
    private static readonly HashSet<string> Keys = ["command", "user", "privileged", "working_dir", "environment"];

    public static IReadOnlyList<ServiceHook> Read(ServiceFields fields, string key)
    {
        var node = fields.Body.Get(key);
        if (node is null or YScalar { IsNull: true })
            return [];
        if (node is not YSequence list)
            throw fields.Invalid(node, $"{key} must be a list of hooks ({{command, user, privileged, working_dir, environment}})");
        var hooks = new List<ServiceHook>(list.Items.Count);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var path = $"{key}[{i}]";
            if (list.Items[i] is not YMapping hook)
                throw fields.Invalid(list.Items[i], $"{path} must be a mapping with a command");
            foreach (var entry in hook.Entries.Where(e => !Keys.Contains(e.Name) && !e.Name.StartsWith("x-", StringComparison.Ordinal)))
                throw fields.Invalid(entry.Key, $"{path} has an unknown key \"{entry.Name}\" (allowed: {string.Join(", ", Keys)})");
            var command = ServiceReader.ReadCommand(fields, hook.Get("command"), $"{path}.command");
            if (command is null || command.Count == 0)
                throw fields.Invalid(hook.Get("command") ?? hook, $"{path}.command is required");
            hooks.Add(new ServiceHook
            {
                Command = command,
                User = Text(fields, hook.Get("user"), $"{path}.user"),
                Privileged = fields.Bool(hook.Get("privileged"), $"{path}.privileged") ?? false,
                WorkingDir = Text(fields, hook.Get("working_dir"), $"{path}.working_dir"),
                Environment = ServiceReader.ReadKeyValues(fields, hook.Get("environment"), $"{path}.environment"),
                Source = hook.Mark.FileAndLine,
            });
        }
        return hooks;
    }

    private static string? Text(ServiceFields fields, YNode? node, string path) => node switch
    {
        null or YScalar { IsNull: true } => null,
        YScalar s => s.Value,
        _ => throw fields.Invalid(node, $"{path} must be a string, not {node.KindName}"),
    };
}
