using System.Globalization;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset;

/// <summary>
/// Imports a <see cref="LatencyTable"/>: one graph per architecture and batch size, with a measured
/// <c>latency_ms</c> label per device column of that batch (<see cref="DeviceColumns.Batch"/>). Model ids are
/// <c>&lt;prefix&gt;&lt;index, 5 digits&gt;</c> for batch 1 and <c>…-b&lt;N&gt;</c> for batch N, so the graphs of
/// batch-1 columns keep the ids of imports made before batches were read.
/// </summary>
internal abstract class LatencyTableJob : BuildJob
{
    private readonly LatencyTable _table;
    private readonly string _prefix;
    private readonly (int Row, int Batch, string? Variant)[] _work;

    /// <param name="table">The table.</param>
    /// <param name="prefix">Model ids start with it.</param>
    /// <param name="variants">The graph variants built per architecture and batch (<see cref="GraphVariants"/>), or null for
    /// one graph.</param>
    protected LatencyTableJob(LatencyTable table, string prefix, IReadOnlyList<string>? variants = null)
    {
        _table = table;
        _prefix = prefix;
        var work = new List<(int, int, string?)>();
        var items = new List<JobItem>();
        IReadOnlyList<string?> kinds = variants is null ? [null] : [.. variants];
        for (int r = 0; r < table.Rows.Count; r++)
        {
            LatencyTable.Row row = table.Rows[r];
            foreach (int batch in row.Values.Select(v => DeviceColumns.Batch(v.Device)).Distinct().Order())
            {
                foreach (string? variant in kinds)
                {
                    items.Add(new JobItem(work.Count, GraphVariants.ModelId(ModelId(row.Index, batch), variant)));
                    work.Add((r, batch, variant));
                }
            }
        }
        _work = [.. work];
        Items = items;
    }

    /// <inheritdoc />
    public override IReadOnlyList<JobItem> Items { get; }

    /// <summary>Label source of the measured latencies.</summary>
    protected abstract string Source { get; }

    /// <summary>Space name recorded for each model.</summary>
    protected abstract string SpaceName { get; }

    /// <summary>The knob holding the table's index (e.g. <c>nb201_index</c>).</summary>
    protected abstract string IndexKnob { get; }

    /// <summary>The graph of <paramref name="arch"/> at batch <paramref name="batch"/>, of <paramref name="variant"/> (null
    /// for a job without variants).</summary>
    protected abstract OpGraph BuildGraph(string arch, int batch, string? variant);

    /// <summary>Element type recorded for each model.</summary>
    protected abstract string Dtype { get; }

    /// <summary>The targets of <see cref="LatencyTable.Devices"/> whose batch is not 1, with their batch; null when
    /// every column is batch 1 (so such imports keep their build record).</summary>
    protected static IReadOnlyDictionary<string, int>? Batches(LatencyTable table)
    {
        var batches = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string device in table.Devices)
        {
            int batch = DeviceColumns.Batch(device);
            if (batch > 1)
            {
                batches[device] = batch;
            }
        }
        return batches.Count == 0 ? null : batches;
    }

    private string ModelId(int index, int batch) =>
        _prefix + index.ToString("D5", CultureInfo.InvariantCulture) + (batch == 1 ? "" : "-b" + batch.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public override ProducedModel Produce(JobItem item)
    {
        (int r, int batch, string? variant) = _work[item.Order];
        LatencyTable.Row row = _table.Rows[r];
        try
        {
            OpGraph graph = BuildGraph(row.Arch, batch, variant);
            byte[] bytes = SpaceBuildJob.Export(graph, item.ModelId, Info);
            OpGraph.FromModel(TfliteReader.Parse(bytes, item.ModelId + ".tflite")); // the file must read back
            LabelRow[] labels = [.. row.Values
                .Where(v => DeviceColumns.Batch(v.Device) == batch)
                .Select(v => new LabelRow(item.ModelId, v.Device, v.LatencyMs, null, null, null, Source))];
            var knobs = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["arch"] = row.Arch,
                [IndexKnob] = row.Index.ToString(CultureInfo.InvariantCulture),
            };
            if (batch > 1)
            {
                knobs["batch"] = batch.ToString(CultureInfo.InvariantCulture);
            }
            if (variant is not null)
            {
                knobs[GraphVariants.Knob] = variant;
            }
            string origin = string.Create(CultureInfo.InvariantCulture, $"{SpaceName} index {row.Index} ({Info.Csv} row {row.Line})");
            var record = new ModelRecord(item.ModelId, item.Order, SpaceName, Dtype, origin, knobs, bytes.Length,
                Hashing.Sha256Hex(bytes), labels);
            return new ProducedModel(record, bytes);
        }
        catch (Exception e) when (e is Spaces.SearchSpaceException or OpGraphException or TfliteFormatException)
        {
            throw new DatasetException($"{item.ModelId} ({Info.Csv} row {row.Line}): {e.Message}", e);
        }
    }
}
