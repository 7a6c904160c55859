using PerfSage.Dataset.Spaces;

namespace PerfSage.Dataset;

/// <summary>
/// Joins shard folders: each model is copied from the shard that holds it (its record and graph, checked
/// against each other), so the merged folder goes through the same journal as a build and is resumable too.
/// </summary>
internal sealed class MergeJob : BuildJob
{
    private readonly string[] _sourceByShard;
    private readonly string[] _shardDirectories;

    private MergeJob(BuildInfo info, IReadOnlyList<JobItem> items, string[] sourceByShard, string[] shardDirectories)
    {
        Info = info;
        Items = items;
        _sourceByShard = sourceByShard;
        _shardDirectories = shardDirectories;
    }

    public override BuildInfo Info { get; }

    public override IReadOnlyList<JobItem> Items { get; }

    public static MergeJob Create(IReadOnlyList<string> shardDirectories)
    {
        if (shardDirectories.Count == 0)
        {
            throw new DatasetException("merge: no shard folders given");
        }
        BuildInfo? first = null;
        string? firstDir = null;
        string[]? sourceByShard = null;
        foreach (string dir in shardDirectories)
        {
            DatasetManifest manifest = DatasetJson.ReadManifest(dir);
            if (manifest.Builds.Count != 1 || manifest.Builds[0].Kind != "space" || manifest.Imports.Count > 0)
            {
                throw new DatasetException($"{dir}: not the folder of one `perfsage dataset build` (it holds {manifest.Builds.Count} builds and {manifest.Imports.Count} imports)");
            }
            BuildInfo build = manifest.Builds[0];
            if (build.Shards is null)
            {
                throw new DatasetException($"{dir}: holds a whole build, not a shard (built without --shard)");
            }
            if (first is null)
            {
                first = build;
                firstDir = dir;
                sourceByShard = new string[build.Shards.Count];
            }
            else
            {
                IReadOnlyList<string> diffs = BuildInfo.Differences(first with { Shards = null }, build with { Shards = null });
                if (diffs.Count > 0 || build.Shards.Count != first.Shards!.Count)
                {
                    if (build.Shards.Count != first.Shards!.Count)
                    {
                        diffs = [.. diffs, $"shard count: {first.Shards.Count} vs {build.Shards.Count}"];
                    }
                    throw new DatasetException(
                        $"{dir} is a shard of another build than {firstDir} ({string.Join("; ", diffs)})");
                }
            }
            foreach (int shard in build.Shards.Indices)
            {
                if (sourceByShard![shard] is string other)
                {
                    throw new DatasetException($"shard {shard}/{build.Shards.Count} is in both {other} and {dir}");
                }
                sourceByShard[shard] = dir;
            }
            CheckExactContent(dir, build);
        }
        int n = first!.Shards!.Count;
        int[] held = [.. Enumerable.Range(0, n).Where(i => sourceByShard![i] is not null)];
        BuildInfo merged = first with { Shards = held.Length == n ? null : new ShardSet(n, held) };
        return new MergeJob(merged, SpaceBuildJob.ItemsOf(SpaceOf(merged), merged), sourceByShard!, [.. shardDirectories.Select(Path.GetFullPath)]);
    }

    /// <summary>A shard folder must hold exactly the models of its shards: no more, no fewer, no duplicates.</summary>
    private static void CheckExactContent(string dir, BuildInfo build)
    {
        var expected = new HashSet<string>(SpaceBuildJob.ItemsOf(SpaceOf(build), build).Select(i => i.ModelId), StringComparer.Ordinal);
        List<ModelInfo> models = ModelsCsv.Read(Path.Combine(dir, DatasetLayout.ModelsFile));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ModelInfo m in models)
        {
            if (!seen.Add(m.ModelId))
            {
                throw new DatasetException($"{dir}: model {m.ModelId} is listed twice in {DatasetLayout.ModelsFile}");
            }
            if (!expected.Contains(m.ModelId))
            {
                throw new DatasetException($"{dir}: model {m.ModelId} does not belong to shard {build.Shards}");
            }
        }
        if (seen.Count != expected.Count)
        {
            string missing = expected.Where(id => !seen.Contains(id)).Order(StringComparer.Ordinal).First();
            throw new DatasetException($"{dir}: holds {seen.Count} of the {expected.Count} models of shard {build.Shards} (missing {missing}, …)");
        }
    }

    private static ISearchSpace SpaceOf(BuildInfo build)
    {
        try
        {
            return SearchSpaces.Get(build.Space ?? "");
        }
        catch (SearchSpaceException e)
        {
            throw new DatasetException(e.Message, e);
        }
    }

    public override void Validate(string directory)
    {
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        if (_shardDirectories.Any(d => string.Equals(d.TrimEnd(Path.DirectorySeparatorChar), full, StringComparison.Ordinal)))
        {
            throw new DatasetException($"{directory}: the merge output must not be one of its shard folders");
        }
    }

    public override bool Accepts(ModelRecord record) =>
        record.Labels.Select(l => l.Target).SequenceEqual(Info.Targets, StringComparer.Ordinal);

    public override ProducedModel Produce(JobItem item)
    {
        string source = _sourceByShard[(int)(item.Order % _sourceByShard.Length)];
        ModelRecord? record = ModelRecord.TryRead(DatasetLayout.RecordPath(source, item.ModelId));
        string graphPath = DatasetLayout.GraphPath(source, item.ModelId);
        byte[]? graph = File.Exists(graphPath) ? File.ReadAllBytes(graphPath) : null;
        if (record is null || graph is null || !record.Matches(item.ModelId, item.Order) || !Accepts(record)
            || graph.Length != record.GraphBytes || Hashing.Sha256Hex(graph) != record.GraphSha256)
        {
            throw new DatasetException(
                $"{source}: model {item.ModelId} is missing or damaged (its graph does not match its record); rebuild that shard");
        }
        return new ProducedModel(record, graph);
    }
}
