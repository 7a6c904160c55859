using System.Text;
using CsvHelper;
using PerfSage.IO;
using Serilog;

namespace PerfSage.Pipeline;

/// <summary>One model file to score, or an input that names no readable file (scored as an error row).</summary>
/// <param name="Path">The path as shown in the output (as given, or as found under a folder or by a glob).</param>
/// <param name="Error">Why there is nothing to read, or null.</param>
public sealed record ScoreInput(string Path, string? Error = null);

/// <summary>
/// Expands the inputs of <c>perfsage score</c> into model files: a folder gives its <c>*.tflite</c> files (recursively),
/// a pattern with <c>*</c>, <c>?</c> or <c>**</c> gives the files it matches (<see cref="Glob"/>; only <c>.tflite</c>
/// files unless the pattern's last segment names an extension), a <c>.csv</c> or <c>.txt</c> file is a list of paths
/// (one per line, or the <c>path</c> or <c>model</c> column of a CSV with a header; relative paths are resolved against
/// the list's folder, as <c>dataset import</c> does), and any other path is a model file. A path that does not exist
/// becomes an error row. Duplicates (same full path) are scored once, in first-seen order.
/// </summary>
/// <remarks>
/// Folders and globs are searched with <see cref="FileWalker"/>: links to folders are not followed (a link to a
/// parent folder would make the search endless); they are named in one warning. Hidden files and folders (names
/// starting with a dot) are left out. A list is read whole, at most <see cref="Limits.MaxTextBytes"/>, and only
/// from a regular file (a named pipe would never end); a model path that names no regular file becomes an error
/// row before anything opens it.
/// </remarks>
public static class ScoreInputs
{
    /// <summary>How many of the folder links not followed the warning names.</summary>
    private const int MaxNamedLinks = 5;

    /// <summary>Longest path accepted, in characters (Linux's PATH_MAX is 4,096 bytes).</summary>
    private const int MaxPathChars = 4096;

    /// <summary>Expands <paramref name="inputs"/>; when a folder or glob met links to folders,
    /// <paramref name="log"/> gets one warning naming them.</summary>
    public static IReadOnlyList<ScoreInput> Expand(IEnumerable<string> inputs, ILogger? log = null)
    {
        var result = new List<ScoreInput>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var links = new List<string>();
        foreach (string input in inputs)
        {
            if (ExpandOne(input, result, seen, links, allowLists: true) == 0)
            {
                throw new UserInputException(Directory.Exists(input)
                    ? $"{input}: the folder holds no .tflite files"
                    : $"{input}: no file matches");
            }
        }
        if (links.Count > 0)
        {
            log?.Warning("{Links}", LinksWarning(links));
        }
        return result;
    }

    /// <summary>The warning for folder links not followed: how many, and the first few.</summary>
    internal static string LinksWarning(IReadOnlyList<string> links)
    {
        string named = string.Join(", ", links.Take(MaxNamedLinks).Select(Limits.Echo));
        string more = links.Count > MaxNamedLinks ? $", and {links.Count - MaxNamedLinks} more" : "";
        return $"did not follow {links.Count} link(s) to folders (a link can lead back to its own parent; name the folder itself to score it): {named}{more}";
    }

    private static bool IsList(string path) =>
        File.Exists(path) && (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase));

    /// <summary>Adds what <paramref name="input"/> names; returns how many files it named (duplicates included).</summary>
    private static int ExpandOne(string input, List<ScoreInput> result, HashSet<string> seen, List<string> links, bool allowLists)
    {
        if (Unusable(input) is string why)
        {
            // Shown cut short: a 10 MB line of a list must not be copied whole into the output and stderr.
            Add(Limits.Echo(input), why, result, seen);
            return 1;
        }
        if (Directory.Exists(input))
        {
            FileWalk walk = FileWalker.Walk(input, file => file.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase),
                int.MaxValue, skipHidden: true);
            links.AddRange(walk.SkippedFolderLinks);
            var files = walk.Files.ToList();
            files.Sort(StringComparer.Ordinal);
            foreach (string file in files)
            {
                // A name that is not valid UTF-8 is listed, but cannot be opened under the name .NET decoded.
                Add(file, Unreadable(file), result, seen);
            }
            return files.Count;
        }
        if (allowLists && IsList(input))
        {
            int named = 0;
            foreach (string entry in ReadList(input))
            {
                int n = ExpandOne(entry, result, seen, links, allowLists: false);
                if (n == 0)
                {
                    Add(entry, Directory.Exists(entry) ? "the folder holds no .tflite files" : "no file matches", result, seen);
                }
                named += Math.Max(n, 1);
            }
            return named;
        }
        if (!File.Exists(input) && Glob.IsPattern(input))
        {
            Glob glob = Glob.Parse(input);
            bool anyExtension = Path.GetExtension(glob.Pattern.Split('/')[^1].Replace("*", "", StringComparison.Ordinal)).Length > 0;
            FileWalk walk = glob.Files();
            links.AddRange(walk.SkippedFolderLinks);
            int matched = 0;
            foreach (string file in walk.Files)
            {
                if (anyExtension || file.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase))
                {
                    Add(file, Unreadable(file), result, seen);
                    matched++;
                }
            }
            return matched;
        }
        Add(input, Unreadable(input), result, seen);
        return 1;
    }

    /// <summary>Why the model file <paramref name="path"/> cannot be read, or null: nothing is there (or its name is
    /// not valid UTF-8), or it is no regular file (a named pipe would block the read forever, a device never end).</summary>
    private static string? Unreadable(string path)
    {
        FileKind kind = FileProbe.Stat(path, followLinks: true).Kind;
        return kind switch
        {
            FileKind.Regular => null,
            FileKind.Missing => InputFile.MissingCause(path),
            _ => $"is {kind.Describe()}, not a regular file; a model must be a regular file",
        };
    }

    /// <summary>Why <paramref name="path"/> cannot name a file at all, or null.</summary>
    private static string? Unusable(string path) =>
        path.Contains('\0', StringComparison.Ordinal) ? "the path holds a NUL character, which no file name can"
        : path.Length > MaxPathChars ? $"the path is {path.Length} characters long, longer than a file system takes"
        : null;

    private static void Add(string path, string? error, List<ScoreInput> result, HashSet<string> seen)
    {
        string key = Unusable(path) is null ? Path.GetFullPath(path) : path;
        if (seen.Add(key))
        {
            result.Add(new ScoreInput(path, error));
        }
    }

    /// <summary>The paths a list file names, resolved against its folder.</summary>
    private static List<string> ReadList(string listPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(listPath)) ?? ".";
        byte[] bytes = InputFile.ReadAllBytes(listPath, Limits.MaxTextBytes, "list of models");
        var entries = new List<string>();
        try
        {
            if (listPath.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            {
                ReadTextList(bytes, entries);
            }
            else
            {
                ReadCsvList(bytes, entries);
            }
        }
        catch (CsvFormatException e)
        {
            throw new UserInputException($"{listPath}: cannot read the list of models ({e.Message})", e);
        }
        if (entries.Count == 0)
        {
            throw new UserInputException($"{listPath}: the list names no models");
        }
        return entries.Select(e => Path.IsPathRooted(e) || e.Contains('\0', StringComparison.Ordinal) ? e : Path.Combine(folder, e)).ToList();
    }

    /// <summary>A text list: one path per line; blank lines and lines starting with <c>#</c> are skipped.</summary>
    private static void ReadTextList(byte[] bytes, List<string> entries)
    {
        using var reader = new StringReader(Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'));
        while (reader.ReadLine() is string line)
        {
            string text = line.Trim();
            if (text.Length > 0 && !text.StartsWith('#'))
            {
                entries.Add(text);
            }
        }
    }

    /// <summary>A CSV list: the <c>path</c> or <c>model</c> column when the first row names one, else the first field
    /// of every row. A quoted field ends at its line (a path holds no line break), so a stray quote spoils one row,
    /// not the rest of the list.</summary>
    private static void ReadCsvList(byte[] bytes, List<string> entries)
    {
        using CsvReader csv = CsvReader.Create(bytes, new CsvReaderOptions
        {
            HasHeader = false,
            SkipEmptyLines = true,
            AllowLineBreaksInQuotes = false,
        });
        int column = -1;
        bool first = true;
        while (csv.Read())
        {
            if (first)
            {
                first = false;
                for (int i = 0; i < csv.FieldCount; i++)
                {
                    string name = csv.GetString(i).Trim();
                    if (name.Equals("path", StringComparison.OrdinalIgnoreCase) || name.Equals("model", StringComparison.OrdinalIgnoreCase))
                    {
                        column = i;
                        break;
                    }
                }
                if (column >= 0)
                {
                    continue; // the header
                }
                column = 0;
            }
            if (column < csv.FieldCount)
            {
                string value = csv.GetString(column).Trim();
                if (value.Length > 0)
                {
                    entries.Add(value);
                }
            }
        }
    }
}
