using System.Text;
using StingOps.Core.Common;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Tests.EnvFiles;

/// <summary>The never-leak property: no part of a value (4+ characters) reaches a finding, an entry's text or an error.</summary>
public class EnvFileNoLeakTests
{
    // Fake secrets that share no 4-character run with any problem text, key name or path used here.
    private const string S = "Zq9xW7vK3pL1mN";
    private const string S2 = "Jh5Rt8Yb2Qw6Xc";

    private static readonly Func<string, string?> NoEnvironment = _ => null;

    /// <summary>Every code, with an input (file name and raw bytes) that produces it while a secret sits nearby or in the offending line.</summary>
    public static TheoryData<EnvFileProblem, string, string[]> Cases() => new()
    {
        { EnvFileProblem.FileNotFound, "<missing>", [] },
        { EnvFileProblem.FileUnreadable, "<directory>", [] },
        { EnvFileProblem.UnsupportedEncoding, "<utf16>", [] },
        { EnvFileProblem.NotAnAssignment, $"DB_PASSWORD={S}\n{S2} {S}\n", [] },
        { EnvFileProblem.NotAnAssignment, $"{S}$\n", [] },
        { EnvFileProblem.NotAnAssignment, $"{S} # {S2}\n", [] },
        { EnvFileProblem.InvalidKey, $"{S}+{S2}==\n", [] },
        { EnvFileProblem.InvalidKey, $"{S} {S2}={S}\n", [] },
        { EnvFileProblem.InvalidKey, $"={S}\n", [] },
        { EnvFileProblem.NonPortableKey, $"9{S}={S2}\n", [] },
        { EnvFileProblem.UnterminatedQuote, $"DB_PASSWORD=\"{S}\nOTHER={S2}\n", [] },
        { EnvFileProblem.UnterminatedQuote, $"DB_PASSWORD='{S}\nOTHER=\"{S2}\" x\n", [] },
        { EnvFileProblem.TrailingContent, $"DB_PASSWORD=\"{S}\" {S2}\n", [] },
        { EnvFileProblem.BareKeyWithoutNewline, $"DB_PASSWORD=x\n{S}", [] },
        { EnvFileProblem.DuplicateKey, $"DB_PASSWORD={S}\nDB_PASSWORD=\"{S2}\"\n", [] },
        { EnvFileProblem.DuplicateKey, $"{S}\n{S}\n", [] },
        { EnvFileProblem.InheritedKey, $"DB_PASSWORD={S}\n{S2}\n", [] },
        { EnvFileProblem.MissingRequiredKey, $"DB_PASSWORD={S}\nAPI_TOKEN='{S2}'\n", ["JWT_SECRET"] },
        { EnvFileProblem.EmptyRequiredKey, $"DB_PASSWORD={S}\nAPI_TOKEN=\n# {S2}\n", ["API_TOKEN"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void No_part_of_a_value_appears_anywhere(EnvFileProblem code, string content, string[] required)
    {
        using var dir = new TempDir();
        var path = content switch
        {
            "<missing>" => Path.Combine(dir.Path, "absent.env"),
            "<directory>" => Directory.CreateDirectory(Path.Combine(dir.Path, "folder.env")).FullName,
            "<utf16>" => dir.Write("wide.env", $"DB_PASSWORD={S}\n", new UnicodeEncoding(false, true)),
            _ => dir.Write("app.env", content),
        };

        var validation = EnvFileValidator.Check([EnvFileParser.Parse(path)], required, NoEnvironment);
        Assert.Contains(validation.Findings, f => f.Code == code);

        var texts = new List<string>();
        foreach (var f in validation.Findings)
        {
            texts.Add(f.Problem);
            texts.Add(f.Key ?? "");
            texts.Add(f.ToString());
        }
        foreach (var file in validation.Files)
        {
            texts.Add(file.ToString());
            texts.AddRange(file.Entries.Select(e => e.ToString()));
        }
        if (validation.HasErrors)
            texts.Add(Assert.Throws<StingException>(validation.ThrowIfInvalid).Message);

        foreach (var text in texts)
        {
            AssertNoFragment(S, text);
            AssertNoFragment(S2, text);
        }
    }

    [Fact]
    public void Every_problem_code_is_covered()
    {
        var covered = Cases().Select(row => (EnvFileProblem)row[0]).ToHashSet();
        Assert.Equal(Enum.GetValues<EnvFileProblem>().ToHashSet(), covered);
    }

    [Fact]
    public void Values_are_still_available_to_code_that_needs_them()
    {
        // The guard above must not pass merely because nothing was parsed.
        var r = EnvFileParser.ParseText($"DB_PASSWORD={S}\n", "app.env");
        Assert.Equal(S, r.Entries[0].Value);
        AssertNoFragment(S, r.Entries[0].ToString());
    }

    private static void AssertNoFragment(string secret, string text)
    {
        for (var i = 0; i + 4 <= secret.Length; i++)
        {
            var fragment = secret.Substring(i, 4);
            Assert.False(text.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' of a value leaked into: {text}");
        }
    }
}
