using CsvHelper;

namespace PerfSage.Cli.Commands.ModelTools;

/// <summary>One model file to score, or an input that names no readable file (scored as an error row).</summary>
/// <param name="Path">The path as shown in the output (as given, or as found under a folder or by a glob).</param>
/// <param name="Error">Why there is nothing to read, or null.</param>
internal sealed record ScoreInput(string Path, string? Error = null);

/// <summary>
/// Expands the inputs of <c>perfsage score</c> into model files: a folder gives its <c>*.tflite</c> files (recursively),
/// a pattern with <c>*</c>, <c>?</c> or <c>**</c> gives the files it matches (<see cref="Glob"/>; only <c>.tflite</c>
/// files unless the pattern's last segment names an extension), a <c>.csv</c> or <c>.txt</c> file is a list of paths
/// (one per line, or the <c>path</c> or <c>model</c> column of a CSV with a header; relative paths are resolved against
/// the list's folder, as <c>dataset import</c> does), and any other path is a model file. A path that does not exist
/// becomes an error row. Duplicates (same full path) are scored once, in first-seen order.
/// </summary>
internal static class ScoreInputs
{
    public static IReadOnlyList<ScoreInput> Expand(IEnumerable<string> inputs)
    {
        var result = new List<ScoreInput>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string input in inputs)
        {
            if (ExpandOne(input, result, seen, allowLists: true) == 0)
            {
                throw new UserInputException(Directory.Exists(input)
                    ? $"{input}: the folder holds no .tflite files"
                    : $"{input}: no file matches");
            }
        }
        return result;
    }

    private static bool IsList(string path) =>
        File.Exists(path) && (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase));

    /// <summary>Adds what <paramref name="input"/> names; returns how many files it named (duplicates included).</summary>
    private static int ExpandOne(string input, List<ScoreInput> result, HashSet<string> seen, bool allowLists)
    {
        if (Directory.Exists(input))
        {
            var files = Directory.EnumerateFiles(input, "*.tflite", new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                MatchCasing = MatchCasing.CaseInsensitive,
            }).ToList();
            files.Sort(StringComparer.Ordinal);
            foreach (string file in files)
            {
                Add(file, null, result, seen);
            }
            return files.Count;
        }
        if (allowLists && IsList(input))
        {
            int named = 0;
            foreach (string entry in ReadList(input))
            {
                int n = ExpandOne(entry, result, seen, allowLists: false);
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
            int matched = 0;
            foreach (string file in glob.Files())
            {
                if (anyExtension || file.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase))
                {
                    Add(file, null, result, seen);
                    matched++;
                }
            }
            return matched;
        }
        Add(input, File.Exists(input) ? null : "file not found", result, seen);
        return 1;
    }

    private static void Add(string path, string? error, List<ScoreInput> result, HashSet<string> seen)
    {
        if (seen.Add(Path.GetFullPath(path)))
        {
            result.Add(new ScoreInput(path, error));
        }
    }

    /// <summary>The paths a list file names, resolved against its folder.</summary>
    private static List<string> ReadList(string listPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(listPath)) ?? ".";
        var entries = new List<string>();
        try
        {
            if (listPath.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            {
                foreach (string line in File.ReadLines(listPath))
                {
                    string text = line.Trim();
                    if (text.Length > 0 && !text.StartsWith('#'))
                    {
                        entries.Add(text);
                    }
                }
            }
            else
            {
                ReadCsvList(listPath, entries);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CsvFormatException)
        {
            throw new UserInputException($"{listPath}: cannot read the list of models ({e.Message})", e);
        }
        if (entries.Count == 0)
        {
            throw new UserInputException($"{listPath}: the list names no models");
        }
        return entries.Select(e => Path.IsPathRooted(e) ? e : Path.Combine(folder, e)).ToList();
    }

    /// <summary>A CSV list: the <c>path</c> or <c>model</c> column when the first row names one, else the first field
    /// of every row.</summary>
    private static void ReadCsvList(string listPath, List<string> entries)
    {
        using CsvReader csv = CsvReader.FromFile(listPath, new CsvReaderOptions { HasHeader = false, SkipEmptyLines = true });
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
