using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PerfSage.Cli.Rendering;
using PerfSage.Graph;
using PerfSage.Pipeline;
using PerfSage.Targets;
using Spectre.Console;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage estimate MODEL... --target T...|--board B... [--clock-mhz F] [--stack S] [--per-layer] [--plot FILE.png]
/// [--format ...]</c>: the reference estimators' latency, energy and memory, optionally per layer, and optionally the
/// per-layer cycles as a picture (<see cref="PerLayerPlot"/>; <c>--plot</c> draws the layers whether or not
/// <c>--per-layer</c> is given, which only decides what the text shows).</summary>
internal static class EstimateCommand
{
    public static Command Create(CliContext context)
    {
        var models = new Argument<string[]>("model") { Description = "One or more .tflite files.", Arity = ArgumentArity.OneOrMore };
        var targets = new TargetOptions();
        Option<double?> clock = TargetOptions.ClockOption();
        var stack = new Option<string?>("--stack")
        {
            Description = "Cortex-M software stack: tflm-reference, cmsis-nn (default) or vendor (also the host CPU stack of Ethos-U targets).",
        };
        var perLayer = new Option<bool>("--per-layer") { Description = "Show the per-layer breakdown (table and csv; json always has it)." };
        var plot = new Option<string?>("--plot")
        {
            Description = "Write the per-layer cycles as a bar chart (PNG) here: colour = what bounds the layer, pattern = where it runs, one panel per model and target.",
        };
        Option<string> format = Formats.Option("table", "json", "csv");

        var command = new Command("estimate", "Estimate latency, energy, peak RAM and flash with the reference estimators (no learning involved).")
        {
            models, clock, stack, perLayer, plot, format,
        };
        targets.AddTo(command);
        targets.AddBoardTo(command);
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            TargetCatalog catalog = TargetCatalog.LoadDefault();
            IReadOnlyList<Board> boards = targets.ResolveBoards(parse);
            IReadOnlyList<TargetSpec> specs = boards.Count > 0 ? [] : targets.Resolve(parse, catalog, context.Notes);
            // Only when a family name was given do JSON and CSV carry "requested" (what was asked) beside "target".
            RequestedTargets? requested = targets.Requested.AnyFamily ? targets.Requested : null;
            double? clockMhz = TargetOptions.ClockMhz(parse, clock);
            string? stackName = parse.GetValue(stack);
            var options = new EstimateOptions
            {
                ClockMhz = clockMhz,
                Stack = stackName is null ? null : CortexMStacks.Parse(stackName),
            };

            string[] modelPaths = parse.GetValue(models)!;
            // The picture's size and its path are checked before any work: too many panels, a device, a folder or
            // one of the models fail here with one line.
            string? plotPath = parse.GetValue(plot);
            PlotGrid? grid = null;
            if (plotPath is not null)
            {
                grid = PlotGrid.PerLayer(modelPaths.Length, boards.Count > 0 ? boards.Count : specs.Count);
                OutputPaths.CheckFile(plotPath, modelPaths, "--plot");
            }

            IReadOnlyList<EstimatedRow> rows = boards.Count > 0
                ? Estimating.RunBoards(modelPaths, boards, options)
                : Estimating.Run(modelPaths, specs, options);
            List<(string Model, OpGraph Graph, TargetEstimate Estimate)> results = [.. rows.Select(r => (r.Model, r.Graph, r.Estimate))];
            // Only with --board do rows carry a board column or field, so the output without it stays as it was.
            bool withBoard = boards.Count > 0;
            if (plotPath is not null)
            {
                PerLayerPlot.Write(plotPath, [.. results.Select(r => (r.Model, r.Estimate))], grid!, modelPaths);
            }

            switch (parse.GetValue(format))
            {
                case "json":
                    Output.WriteJson(context.Stdout, json => WriteJson(json, results, requested, withBoard));
                    break;
                case "csv":
                    WriteCsv(context.Stdout, results, parse.GetValue(perLayer), requested, withBoard);
                    break;
                default:
                    WriteTable(context.Stdout, results, parse.GetValue(perLayer), withBoard);
                    if (plotPath is not null)
                    {
                        context.Stdout.WriteLine($"plot: {plotPath}");
                    }
                    break;
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void WriteTable(TextWriter stdout, List<(string Model, OpGraph Graph, TargetEstimate Estimate)> results, bool perLayer,
        bool withBoard)
    {
        IAnsiConsole console = Output.Console(stdout);
        string[] header = ["model", "target", "clock [MHz]", "stack", "latency [ms]", "energy [mJ]", "peak RAM [kB]", "flash [kB]", "unsupported ops"];
        Table table = Output.NewTable(withBoard ? [header[0], "board", .. header[1..]] : header);
        foreach ((string model, _, TargetEstimate e) in results)
        {
            string[] cells = [model, e.TargetId, Output.Num(e.ClockMhz, 0), e.Stack ?? "-", Fmt(e.LatencyMs), Fmt(e.EnergyMj),
                Output.Num(e.PeakRamKb, 1), Output.Num(e.FlashKb, 1), e.UnsupportedOps.Count.ToString(CultureInfo.InvariantCulture)];
            Output.AddRow(table, withBoard ? [cells[0], e.Board ?? "-", .. cells[1..]] : cells);
        }
        console.Write(table);

        foreach ((string model, OpGraph graph, TargetEstimate e) in results)
        {
            foreach (string line in UnsupportedLines(e))
            {
                console.WriteLine(line);
            }
            foreach (string note in e.Notes)
            {
                console.WriteLine($"  {e.TargetId}: note: {note}");
            }
            if (!perLayer)
            {
                continue;
            }
            console.WriteLine();
            console.WriteLine($"{model} on {e.TargetId}, per layer:");
            Table layers = Output.NewTable("#", "type", "unit", "bound", "cycles", "latency [ms]", "share [%]", "SRAM [B]", "flash [B]", "DRAM [B]", "MACs");
            foreach (LayerEstimate l in e.Layers)
            {
                double share = e.LatencyMs > 0 ? 100 * l.LatencyMs / e.LatencyMs : 0;
                Output.AddRow(layers, l.OpIndex.ToString(CultureInfo.InvariantCulture), l.OpType, Unit(l.Unit), Bound(l.Bound),
                    Output.Num(l.Cycles), Fmt(l.LatencyMs), Output.Num(share, 1), Output.Num(l.SramBytes), Output.Num(l.FlashBytes),
                    Output.Num(l.DramBytes), Output.Num(graph.Nodes[l.OpIndex].Cost.Macs));
            }
            console.Write(layers);
        }
    }

    /// <summary>How many operator indices a repeated unsupported line names before "…".</summary>
    internal const int ListedOpIndices = 3;

    /// <summary>
    /// The unsupported operators of <paramref name="e"/> for the text table, one line per (op type, reason, fallback)
    /// in order of first appearance: <c>  TARGET: op 7 GELU: REASON; costed as FALLBACK</c> for a single operator,
    /// <c>  TARGET: 412 × GELU (ops 4, 9, 14, …): REASON; costed as FALLBACK</c> for several. JSON keeps every operator.
    /// </summary>
    internal static IEnumerable<string> UnsupportedLines(TargetEstimate e)
    {
        var groups = new Dictionary<(string Type, string Reason, string CostedAs), List<int>>();
        var order = new List<(string Type, string Reason, string CostedAs)>();
        foreach (UnsupportedOp u in e.UnsupportedOps)
        {
            var key = (u.OpType, u.Reason, u.CostedAs);
            if (!groups.TryGetValue(key, out List<int>? ops))
            {
                groups[key] = ops = [];
                order.Add(key);
            }
            ops.Add(u.OpIndex);
        }
        foreach ((string type, string reason, string costedAs) key in order)
        {
            List<int> ops = groups[key];
            if (ops.Count == 1)
            {
                yield return $"  {e.TargetId}: op {ops[0].ToString(CultureInfo.InvariantCulture)} {key.type}: {key.reason}; costed as {key.costedAs}";
                continue;
            }
            string listed = string.Join(", ", ops.Take(ListedOpIndices).Select(i => i.ToString(CultureInfo.InvariantCulture)));
            string more = ops.Count > ListedOpIndices ? ", …" : "";
            yield return $"  {e.TargetId}: {ops.Count.ToString(CultureInfo.InvariantCulture)} × {key.type} (ops {listed}{more}): {key.reason}; costed as {key.costedAs}";
        }
    }

    private static string Fmt(double value) => value >= 100 ? Output.Num(value, 1) : value >= 1 ? Output.Num(value, 3) : value.ToString("G4", CultureInfo.InvariantCulture);

    internal static string Unit(ExecutionUnit unit) => unit.ToString().ToLowerInvariant();

    internal static string Bound(LayerBound bound) => bound.ToString().ToLowerInvariant();

    private static void WriteCsv(TextWriter stdout, List<(string Model, OpGraph Graph, TargetEstimate Estimate)> results, bool perLayer,
        RequestedTargets? requested, bool withBoard)
    {
        using var csv = Csv.Create(stdout);
        string[] header = perLayer
            ? ["model", "target", "op_index", "op_type", "unit", "bound", "cycles", "latency_ms", "sram_bytes", "flash_bytes", "dram_bytes", "macs"]
            : ["model", "target", "clock_mhz", "stack", "latency_ms", "energy_mj", "peak_ram_kb", "flash_kb", "cycles", "unsupported_ops"];
        if (requested is not null)
        {
            header = [.. header[..2], "requested", .. header[2..]];
        }
        if (withBoard)
        {
            header = [.. header[..2], "board", .. header[2..]];
        }
        foreach (string h in header)
        {
            csv.WriteField(h);
        }
        csv.EndRecord();
        foreach ((string model, OpGraph graph, TargetEstimate e) in results)
        {
            if (perLayer)
            {
                foreach (LayerEstimate l in e.Layers)
                {
                    csv.WriteField((object?)model);
                    csv.WriteField((object?)e.TargetId);
                    if (requested is not null)
                    {
                        csv.WriteField(requested.RequestedFor(e.TargetId));
                    }
                    if (withBoard)
                    {
                        csv.WriteField(e.Board ?? "");
                    }
                    csv.WriteField((object?)l.OpIndex);
                    csv.WriteField((object?)l.OpType);
                    csv.WriteField((object?)Unit(l.Unit));
                    csv.WriteField((object?)Bound(l.Bound));
                    csv.WriteField((object?)l.Cycles);
                    csv.WriteField((object?)l.LatencyMs);
                    csv.WriteField((object?)l.SramBytes);
                    csv.WriteField((object?)l.FlashBytes);
                    csv.WriteField((object?)l.DramBytes);
                    csv.WriteField((object?)graph.Nodes[l.OpIndex].Cost.Macs);
                    csv.EndRecord();
                }
                continue;
            }
            csv.WriteField((object?)model);
            csv.WriteField((object?)e.TargetId);
            if (requested is not null)
            {
                csv.WriteField(requested.RequestedFor(e.TargetId));
            }
            if (withBoard)
            {
                csv.WriteField(e.Board ?? "");
            }
            csv.WriteField((object?)e.ClockMhz);
            csv.WriteField((object?)e.Stack ?? "");
            csv.WriteField((object?)e.LatencyMs);
            csv.WriteField((object?)e.EnergyMj);
            csv.WriteField((object?)e.PeakRamKb);
            csv.WriteField((object?)e.FlashKb);
            csv.WriteField((object?)e.Cycles);
            csv.WriteField((object?)e.UnsupportedOps.Count);
            csv.EndRecord();
        }
    }

    private static void WriteJson(Utf8JsonWriter json, List<(string Model, OpGraph Graph, TargetEstimate Estimate)> results, RequestedTargets? requested,
        bool withBoard)
    {
        json.WriteStartArray();
        foreach ((string model, OpGraph graph, TargetEstimate e) in results)
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteString("target", e.TargetId);
            if (requested is not null)
            {
                json.WriteString("requested", requested.RequestedFor(e.TargetId));
            }
            if (withBoard)
            {
                json.WriteString("board", e.Board);
            }
            json.WriteNumber("clock_mhz", e.ClockMhz);
            if (e.Stack is not null)
            {
                json.WriteString("stack", e.Stack);
            }
            json.WriteNumber("latency_ms", e.LatencyMs);
            json.WriteNumber("energy_mj", e.EnergyMj);
            json.WriteNumber("peak_ram_kb", e.PeakRamKb);
            json.WriteNumber("flash_kb", e.FlashKb);
            json.WriteNumber("cycles", e.Cycles);
            json.WriteStartArray("layers");
            foreach (LayerEstimate l in e.Layers)
            {
                json.WriteStartObject();
                json.WriteNumber("index", l.OpIndex);
                json.WriteString("type", l.OpType);
                json.WriteString("unit", Unit(l.Unit));
                json.WriteString("bound", Bound(l.Bound));
                json.WriteNumber("cycles", l.Cycles);
                json.WriteNumber("latency_ms", l.LatencyMs);
                json.WriteNumber("sram_bytes", l.SramBytes);
                json.WriteNumber("flash_bytes", l.FlashBytes);
                json.WriteNumber("dram_bytes", l.DramBytes);
                json.WriteNumber("macs", graph.Nodes[l.OpIndex].Cost.Macs);
                if (l.Kernel >= 0)
                {
                    json.WriteNumber("kernel", l.Kernel);
                }
                json.WriteEndObject();
                Output.FlushIfLarge(json);
            }
            json.WriteEndArray();
            json.WriteStartArray("unsupported_ops");
            foreach (UnsupportedOp u in e.UnsupportedOps)
            {
                json.WriteStartObject();
                json.WriteNumber("index", u.OpIndex);
                json.WriteString("type", u.OpType);
                json.WriteString("reason", u.Reason);
                json.WriteString("costed_as", u.CostedAs);
                json.WriteEndObject();
                Output.FlushIfLarge(json);
            }
            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (string n in e.Notes)
            {
                json.WriteStringValue(n);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
