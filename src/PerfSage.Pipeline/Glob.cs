using System.Text;
using System.Text.RegularExpressions;
using PerfSage.IO;

namespace PerfSage.Pipeline;

/// <summary>
/// A file glob: <c>*</c> matches any run of characters within one path segment, <c>?</c> one character,
/// <c>**</c> as a whole segment any number of segments (zero included); everything else matches itself (ordinal,
/// so case-sensitive). <c>Microsoft.Extensions.FileSystemGlobbing</c> ships only with the ASP.NET Core shared framework,
/// not with Microsoft.NETCore.App, so this small matcher does the job instead. Hidden entries (names starting with
/// a dot) are not matched by wildcards, as in a shell.
/// </summary>
public sealed class Glob
{
    private readonly Regex _regex;

    private Glob(string baseDirectory, string relativePattern, bool recursive, int depth)
    {
        BaseDirectory = baseDirectory;
        Pattern = relativePattern;
        Recursive = recursive;
        Depth = depth;
        _regex = new Regex(ToRegex(relativePattern), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    /// <summary>The folder the search starts from: the pattern's leading segments without wildcards.</summary>
    public string BaseDirectory { get; }

    /// <summary>The rest of the pattern, relative to <see cref="BaseDirectory"/>, with '/' separators.</summary>
    public string Pattern { get; }

    private bool Recursive { get; }

    private int Depth { get; }

    /// <summary>True when <paramref name="text"/> holds a wildcard (<c>*</c> or <c>?</c>).</summary>
    public static bool IsPattern(string text) => text.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>Splits <paramref name="pattern"/> into the folder to search and the part to match.</summary>
    public static Glob Parse(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        string normal = pattern.Replace('\\', '/');
        string[] segments = normal.Split('/');
        int firstWild = Array.FindIndex(segments, IsPattern);
        if (firstWild < 0)
        {
            throw new ArgumentException($"'{pattern}' has no wildcard", nameof(pattern));
        }
        string root = firstWild == 0 ? "." : string.Join('/', segments[..firstWild]);
        if (root.Length == 0)
        {
            root = "/"; // an absolute pattern such as /models/*.tflite
        }
        string[] rest = segments[firstWild..].Where(s => s.Length > 0).ToArray();
        bool recursive = rest.Contains("**");
        return new Glob(root, string.Join('/', rest), recursive, rest.Length);
    }

    /// <summary>The files under <see cref="BaseDirectory"/> that match, as paths beginning with the base as written,
    /// sorted ordinally, and the links to folders that were not followed (<see cref="FileWalker"/>: a link to a
    /// parent folder would make the search endless). A base folder that does not exist matches nothing.</summary>
    public FileWalk Files()
    {
        if (!Directory.Exists(BaseDirectory))
        {
            return new FileWalk([], []);
        }
        string Relative(string file) => Path.GetRelativePath(BaseDirectory, file).Replace('\\', '/');
        FileWalk walk = FileWalker.Walk(BaseDirectory, file => IsMatch(Relative(file)),
            maxDepth: Recursive ? int.MaxValue : Math.Max(0, Depth - 1), skipHidden: true);
        var matches = new List<string>(walk.Files.Count);
        foreach (string file in walk.Files)
        {
            matches.Add(BaseDirectory == "." ? Relative(file) : file);
        }
        matches.Sort(StringComparer.Ordinal);
        return new FileWalk(matches, walk.SkippedFolderLinks);
    }

    /// <summary>True when the relative path (with '/' separators) matches <see cref="Pattern"/>.</summary>
    public bool IsMatch(string relativePath) => _regex.IsMatch(relativePath);

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        string[] segments = pattern.Split('/');
        for (int s = 0; s < segments.Length; s++)
        {
            string segment = segments[s];
            bool last = s == segments.Length - 1;
            if (segment == "**")
            {
                // Zero or more whole segments, none of them hidden.
                sb.Append(last ? @"(?:[^/.][^/]*(?:/[^/.][^/]*)*)?" : @"(?:[^/.][^/]*/)*");
                continue;
            }
            for (int i = 0; i < segment.Length; i++)
            {
                char c = segment[i];
                bool leading = i == 0;
                switch (c)
                {
                    case '*':
                        sb.Append(leading ? @"(?:[^/.][^/]*)?" : "[^/]*");
                        break;
                    case '?':
                        sb.Append(leading ? "[^/.]" : "[^/]");
                        break;
                    default:
                        sb.Append(Regex.Escape(c.ToString()));
                        break;
                }
            }
            if (!last)
            {
                sb.Append('/');
            }
        }
        return sb.Append('$').ToString();
    }
}
