using System.Text;

namespace StingOps.Core.Compose.Yaml;

/// <summary>Renders key paths for messages: <c>services.web.environment[2]</c>.</summary>
internal static class KeyPath
{
    public static string Render(IEnumerable<string> segments)
    {
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            if (text.Length > 0 && !segment.StartsWith('[')) text.Append('.');
            text.Append(segment);
        }
        return text.ToString();
    }
}
