using System.Text.Json;

namespace PerfSage.Targets;

/// <summary>
/// The board presets: one JSON file per board under a folder (<c>data/boards/&lt;id&gt;.json</c>), each naming a
/// target of a <see cref="TargetCatalog"/>. Immutable and thread-safe once loaded.
/// </summary>
public sealed class BoardCatalog
{
    private static readonly Lazy<BoardCatalog> DefaultCatalog = new(
        () => Load(DefaultDirectory, TargetCatalog.LoadDefault()), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, Board> _byId;

    private BoardCatalog(string directory, IReadOnlyList<Board> boards)
    {
        Directory = directory;
        Boards = boards;
        _byId = boards.ToDictionary(b => b.Id, StringComparer.Ordinal);
        Ids = boards.Select(b => b.Id).ToArray();
    }

    /// <summary><c>data/boards</c> beside the PerfSage.Targets assembly.</summary>
    public static string DefaultDirectory => Path.Combine(Path.GetDirectoryName(TargetCatalog.DefaultDirectory)!, "boards");

    /// <summary>The folder the boards were read from.</summary>
    public string Directory { get; }

    /// <summary>All boards, sorted by id.</summary>
    public IReadOnlyList<Board> Boards { get; }

    /// <summary>All ids, sorted.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The boards shipped with PerfSage, checked against the default target catalog (read once).</summary>
    public static BoardCatalog LoadDefault() => DefaultCatalog.Value;

    /// <summary>Reads every <c>*.json</c> of <paramref name="directory"/>; throws <see cref="TargetException"/> naming the
    /// file for a missing folder, invalid JSON, a missing field, a number without a source or assumption, a duplicate
    /// id, an id that differs from the file name, or a target that <paramref name="targets"/> does not have.</summary>
    public static BoardCatalog Load(string directory, TargetCatalog targets)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(targets);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new TargetException($"board folder '{directory}' does not exist");
        }
        string[] files = System.IO.Directory.GetFiles(directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var boards = new List<Board>(files.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            Board board = ReadFile(file);
            string expected = Path.GetFileNameWithoutExtension(file);
            if (!TargetName.IsValid(board.Id))
            {
                throw new TargetException($"{file}: id '{Limits.Echo(board.Id)}' is not a valid board name ({TargetName.Rule})");
            }
            if (board.Id != expected)
            {
                throw new TargetException($"{file}: id '{board.Id}' does not match the file name '{expected}.json'");
            }
            if (!seen.Add(board.Id))
            {
                throw new TargetException($"{file}: id '{board.Id}' is defined twice");
            }
            if (!targets.TryGet(board.TargetId, out TargetSpec? spec) || spec.Id != board.TargetId)
            {
                throw new TargetException($"{file}: $.target '{board.TargetId}' is not a target of the catalog");
            }
            board.Target = spec;
            boards.Add(board);
        }
        boards.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new BoardCatalog(Path.GetFullPath(directory), boards);
    }

    /// <summary>The board <paramref name="id"/> (case-insensitive); throws <see cref="TargetException"/> listing the
    /// boards when there is none.</summary>
    public Board Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (TryGet(id, out Board? board))
        {
            return board;
        }
        throw new TargetException($"unknown board '{id}'; valid boards: {string.Join(", ", Ids)}") { ValidIds = Ids };
    }

    /// <summary>Looks a board up by id (case-insensitive, surrounding spaces ignored).</summary>
    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Board? board)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _byId.TryGetValue(id, out board) || _byId.TryGetValue(id.Trim().ToLowerInvariant(), out board);
    }

    /// <summary>Reads one board file.</summary>
    public static Board ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TargetException($"{path}: cannot read the file ({e.Message})", e);
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new TargetException($"{path}: invalid JSON ({e.Message})", e);
        }
        using (doc)
        {
            return new Board(SpecReader.Root(doc.RootElement, path));
        }
    }
}
