using System.Text.Json;

namespace PerfSage.Targets;

/// <summary>
/// The target catalog: one JSON file per target under a folder (<c>data/targets/&lt;id&gt;.json</c>).
/// Immutable and thread-safe once loaded. <see cref="LoadDefault"/> reads the folder shipped beside the
/// assembly; <see cref="Load"/> reads any folder (for users' own targets).
/// </summary>
public sealed class TargetCatalog
{
    private static readonly Lazy<TargetCatalog> DefaultCatalog = new(
        () => Load(DefaultDirectory), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, TargetSpec> _byId;

    private TargetCatalog(string directory, IReadOnlyList<TargetSpec> targets)
    {
        Directory = directory;
        Targets = targets;
        _byId = new Dictionary<string, TargetSpec>(StringComparer.Ordinal);
        foreach (TargetSpec t in targets)
        {
            _byId[t.Id] = t;
        }
        var ids = new string[targets.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = targets[i].Id;
        }
        Ids = ids;
    }

    /// <summary><c>data/targets</c> beside the PerfSage.Targets assembly (beside the program when the assembly has no file
    /// of its own, as in the native build).</summary>
    public static string DefaultDirectory
    {
        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
            Justification = "An empty Assembly.Location (native or single-file build) falls back to AppContext.BaseDirectory.")]
        get
        {
            string? assemblyDir = Path.GetDirectoryName(typeof(TargetCatalog).Assembly.Location);
            string baseDir = string.IsNullOrEmpty(assemblyDir) ? AppContext.BaseDirectory : assemblyDir;
            return Path.Combine(baseDir, "data", "targets");
        }
    }

    /// <summary>The folder the catalog was read from.</summary>
    public string Directory { get; }

    /// <summary>All targets, sorted by id.</summary>
    public IReadOnlyList<TargetSpec> Targets { get; }

    /// <summary>All ids, sorted.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The catalog shipped with PerfSage (read once, then shared).</summary>
    public static TargetCatalog LoadDefault() => DefaultCatalog.Value;

    /// <summary>Reads every <c>*.json</c> of <paramref name="directory"/>. Throws <see cref="TargetException"/>
    /// naming the file and JSON path for a missing folder, invalid JSON, a missing field, a number without a
    /// source or assumption, a duplicate id, an id that differs from the file name, or an unknown host CPU.</summary>
    public static TargetCatalog Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new TargetException($"target catalog folder '{directory}' does not exist");
        }
        string[] files = System.IO.Directory.GetFiles(directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
        {
            throw new TargetException($"target catalog folder '{directory}' has no *.json files");
        }
        var specs = new List<TargetSpec>(files.Length);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            TargetSpec spec = ReadFile(file);
            string expected = Path.GetFileNameWithoutExtension(file);
            if (spec.Id != expected)
            {
                throw new TargetException($"{file}: id '{spec.Id}' does not match the file name '{expected}.json'");
            }
            if (seen.TryGetValue(spec.Id, out string? other))
            {
                throw new TargetException($"{file}: id '{spec.Id}' is already defined by {other}");
            }
            seen[spec.Id] = file;
            specs.Add(spec);
        }
        specs.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var catalog = new TargetCatalog(Path.GetFullPath(directory), specs);
        foreach (TargetSpec spec in specs)
        {
            if (spec is EthosUSpec u)
            {
                if (!catalog.TryGet(u.HostTargetId, out TargetSpec? host) || host is not CortexMSpec m)
                {
                    throw new TargetException(
                        $"{u.FilePath}: $.host_cpu.target '{u.HostTargetId}' is not a cortex-m target of this catalog");
                }
                u.Host = m;
            }
        }
        return catalog;
    }

    /// <summary>The target <paramref name="id"/> (case-insensitive); throws <see cref="TargetException"/> listing
    /// the valid ids when there is none.</summary>
    public TargetSpec Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (TryGet(id, out TargetSpec? spec))
        {
            return spec;
        }
        throw new TargetException($"unknown target '{id}'; valid targets: {string.Join(", ", Ids)}")
        {
            ValidIds = Ids,
        };
    }

    /// <summary>Looks a target up by id (case-insensitive).</summary>
    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TargetSpec? spec)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_byId.TryGetValue(id, out spec))
        {
            return true;
        }
        string lower = id.Trim().ToLowerInvariant();
        return _byId.TryGetValue(lower, out spec);
    }

    /// <summary>Reads one target file.</summary>
    public static TargetSpec ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new TargetException($"{path}: cannot read the file ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
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
            SpecReader root = SpecReader.Root(doc.RootElement, path);
            string family = root.String("family");
            return family switch
            {
                "cortex-m" => new CortexMSpec(root),
                "ethos-u" => new EthosUSpec(root),
                "mobile-gpu" => new MobileGpuSpec(root),
                _ => throw root.Error("family", $"'{family}' is not cortex-m, ethos-u or mobile-gpu"),
            };
        }
    }
}
