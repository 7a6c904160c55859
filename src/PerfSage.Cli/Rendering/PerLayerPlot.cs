using System.Globalization;
using PerfSage.Targets;
using ScottPlot;

namespace PerfSage.Cli.Rendering;

/// <summary>
/// The per-layer picture of <c>perfsage estimate --plot</c>: one panel per (model, target), up to three side by side
/// (<see cref="PlotGrid.PerLayer"/>), with one bar per layer in execution order. A bar's height is the layer's cycles
/// (of the unit that runs it: the host CPU's cycles for an Ethos-U fallback operator), its fill colour what bounds
/// it (compute, SRAM, flash, DRAM, overhead) and its pattern where it runs (NPU solid, CPU striped, GPU dotted). A
/// legend beside each panel names the colours and patterns used there. Rendered headless with ScottPlot (SkiaSharp)
/// to PNG; kept in its own class so that ScottPlot loads only when a plot is asked for.
/// </summary>
internal static class PerLayerPlot
{
    /// <summary>Renders the picture and writes it to <paramref name="path"/> through <see cref="PerfSage.IO.OutputFile"/>
    /// (never onto a device or one of <paramref name="inputs"/>).</summary>
    public static void Write(string path, IReadOnlyList<(string Model, TargetEstimate Estimate)> results, PlotGrid grid,
        IEnumerable<string> inputs)
    {
        var multiplot = new Multiplot();
        for (int panel = 0; panel < results.Count; panel++)
        {
            // A new Multiplot starts with one empty plot: use it for the first panel.
            Plot plot = panel < multiplot.Count() ? multiplot.GetPlot(panel) : multiplot.AddPlot();
            Panel(plot, results[panel].Model, results[panel].Estimate);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(grid.Rows, grid.Columns);
        using Image image = multiplot.Render(grid.WidthPx, grid.HeightPx);
        PerfSage.IO.OutputFile.Write(path, image.GetImageBytes(ImageFormat.Png, 100), inputs, "--plot");
    }

    private static void Panel(Plot plot, string model, TargetEstimate e)
    {
        var bars = new List<Bar>(e.Layers.Count);
        foreach (LayerEstimate layer in e.Layers)
        {
            Bar bar = new()
            {
                Position = layer.OpIndex,
                Value = layer.Cycles,
                FillColor = BoundColor(layer.Bound),
                LineColor = Colors.Black,
                LineWidth = 0.5f,
                Size = 0.8,
            };
            if (UnitHatch(layer.Unit) is IHatch hatch)
            {
                bar.FillHatch = hatch;
                bar.FillHatchColor = Colors.White.WithAlpha(0.75);
            }
            bars.Add(bar);
        }
        if (bars.Count > 0)
        {
            plot.Add.Bars(bars);
        }

        // The legend lists what this panel uses: bounds as plain colour swatches, units as grey swatches in their pattern.
        var items = new List<LegendItem>();
        foreach (LayerBound bound in Enum.GetValues<LayerBound>().Where(b => e.Layers.Any(l => l.Bound == b)))
        {
            items.Add(new LegendItem { LabelText = BoundLabel(bound), FillColor = BoundColor(bound), LineColor = Colors.Black, LineWidth = 0.5f });
        }
        foreach (ExecutionUnit unit in Enum.GetValues<ExecutionUnit>().Where(u => e.Layers.Any(l => l.Unit == u)))
        {
            var item = new LegendItem { LabelText = unit.ToString().ToUpperInvariant(), FillColor = Colors.Gray, LineColor = Colors.Black, LineWidth = 0.5f };
            if (UnitHatch(unit) is IHatch hatch)
            {
                item.FillHatch = hatch;
                item.FillHatchColor = Colors.White.WithAlpha(0.75);
            }
            items.Add(item);
        }
        plot.ShowLegend(items, Alignment.UpperRight);
        plot.Legend.FontSize = 11;

        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Cycles };
        plot.Axes.Margins(bottom: 0);
        if (e.Layers.Count > 0)
        {
            plot.Axes.SetLimitsX(e.Layers.Min(l => l.OpIndex) - 0.6, e.Layers.Max(l => l.OpIndex) + 0.6);
        }
        plot.XLabel("layer (operator index)");
        plot.YLabel("cycles");
        string totals = string.Create(CultureInfo.InvariantCulture, $"{e.Cycles:N0} cycles, {e.LatencyMs:G4} ms");
        plot.Title($"{Path.GetFileName(model)} on {e.TargetId}: {totals}", size: 13);
    }

    /// <summary>Fill colour of a bound: the colour-blind-safe palette of Okabe and Ito (2008), one hue per bound.</summary>
    internal static Color BoundColor(LayerBound bound) => bound switch
    {
        LayerBound.Compute => Color.FromHex("#0072B2"),   // blue
        LayerBound.Sram => Color.FromHex("#E69F00"),      // orange
        LayerBound.Flash => Color.FromHex("#009E73"),     // bluish green
        LayerBound.Dram => Color.FromHex("#D55E00"),      // vermilion
        _ => Color.FromHex("#CC79A7"),                    // reddish purple: overhead
    };

    private static string BoundLabel(LayerBound bound) => bound switch
    {
        LayerBound.Compute => "compute-bound",
        LayerBound.Sram => "SRAM-bound",
        LayerBound.Flash => "flash-bound",
        LayerBound.Dram => "DRAM-bound",
        _ => "overhead-bound",
    };

    /// <summary>The pattern of a unit: none (solid) for the NPU, stripes for the CPU, dots for the GPU.</summary>
    private static IHatch? UnitHatch(ExecutionUnit unit) => unit switch
    {
        ExecutionUnit.Cpu => new ScottPlot.Hatches.Striped(),
        ExecutionUnit.Gpu => new ScottPlot.Hatches.Dots(),
        _ => null,
    };

    /// <summary>A cycle count as a short tick label: 950, 12k, 3.4M, 1.2G.</summary>
    private static string Cycles(double value)
    {
        double a = Math.Abs(value);
        return a >= 1e9 ? (value / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "G"
            : a >= 1e6 ? (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M"
            : a >= 1e3 ? (value / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k"
            : value.ToString("0.##", CultureInfo.InvariantCulture);
    }
}
