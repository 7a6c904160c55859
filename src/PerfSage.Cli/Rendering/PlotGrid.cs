namespace PerfSage.Cli.Rendering;

/// <summary>
/// The panel grid of a picture: how many panels, in how many columns, and the pixel size that follows. Free of
/// ScottPlot, so that commands can check a plot's size before any work is done without loading the plotting
/// libraries (those load only when the picture is drawn).
/// </summary>
/// <param name="Panels">Number of panels.</param>
/// <param name="Columns">Panels per row.</param>
/// <param name="PanelWidthPx">Width of one panel in pixels.</param>
/// <param name="PanelHeightPx">Height of one panel in pixels.</param>
internal sealed record PlotGrid(int Panels, int Columns, int PanelWidthPx, int PanelHeightPx)
{
    /// <summary>Rows of panels (the last one may be partly empty).</summary>
    public int Rows => (Panels + Columns - 1) / Columns;

    /// <summary>Width of the picture in pixels.</summary>
    public int WidthPx => Columns * PanelWidthPx;

    /// <summary>Height of the picture in pixels.</summary>
    public int HeightPx => Rows * PanelHeightPx;

    /// <summary>Most (model, target) panels <c>estimate --plot</c> draws: 8 rows of 3, a 1920 × 3520 px picture.</summary>
    public const int MaxPerLayerPanels = 24;

    /// <summary>Most targets <c>predict --plot</c> draws (one row of four metric panels each).</summary>
    public const int MaxPredictTargets = 8;

    /// <summary>Most models <c>predict --plot</c> draws (two bars each per panel).</summary>
    public const int MaxPredictModels = 16;

    /// <summary>The grid of <c>estimate --plot</c>: one 640 × 440 px panel per (model, target), up to three side by
    /// side, so that the targets of one model sit next to each other.</summary>
    public static PlotGrid PerLayer(int models, int targets)
    {
        int panels = models * targets;
        if (panels > MaxPerLayerPanels)
        {
            throw new UserInputException(
                $"--plot draws at most {MaxPerLayerPanels} panels (one per model and target); {models} model(s) × {targets} target(s) make {panels}: name fewer");
        }
        return new PlotGrid(Math.Max(1, panels), Math.Clamp(panels, 1, 3), 640, 440);
    }

    /// <summary>The grid of <c>predict --plot</c>: one row of four 420 × 360 px panels (latency, energy, peak RAM,
    /// flash) per target.</summary>
    public static PlotGrid Predict(int models, int targets)
    {
        if (targets > MaxPredictTargets || models > MaxPredictModels)
        {
            throw new UserInputException(
                $"--plot draws at most {MaxPredictModels} models on {MaxPredictTargets} targets; got {models} model(s) on {targets} target(s): name fewer");
        }
        return new PlotGrid(4 * Math.Max(1, targets), 4, 420, 360);
    }
}
