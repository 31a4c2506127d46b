"""Movement smoothness: the spectral arc length (SPARC) of a speed profile.

Balasubramanian, Melendez-Calderon, Roby-Brami and Burdet (2015), "On the analysis of movement
smoothness", J NeuroEng Rehabil 12:112. Values are negative; closer to 0 is smoother. A single
minimum-jerk reach scores about -1.4; jerky, corrective movements after a stroke score -2 to -5.
"""

from __future__ import annotations

import math

import numpy as np


def sparc(speed: np.ndarray, fs: float, pad_level: int = 4, fc_hz: float = 10.0, amp_th: float = 0.05) -> float:
    """SPARC of a speed profile sampled at ``fs`` Hz (NaN when too short to judge)."""
    speed = np.asarray(speed, dtype=float)
    if speed.size < 4 or not np.all(np.isfinite(speed)) or float(np.max(np.abs(speed))) == 0.0:
        return math.nan
    n_fft = int(2 ** (math.ceil(math.log2(speed.size)) + pad_level))
    freq = np.arange(n_fft) * fs / n_fft
    spectrum = np.abs(np.fft.fft(speed, n_fft))
    spectrum = spectrum / spectrum.max()
    keep = freq <= fc_hz
    freq_sel, mag_sel = freq[keep], spectrum[keep]
    above = np.nonzero(mag_sel >= amp_th)[0]
    cut = above[-1] + 1 if above.size else 1
    freq_sel, mag_sel = freq_sel[:cut], mag_sel[:cut]
    if freq_sel.size < 2:
        return math.nan
    d_freq = np.diff(freq_sel) / (freq_sel[-1] - freq_sel[0])
    d_mag = np.diff(mag_sel)
    return -float(np.sum(np.sqrt(d_freq**2 + d_mag**2)))


def sparc_of_angles(samples: list[tuple[float, float]]) -> float:
    """SPARC of an angle trace (seconds, degrees), resampled evenly: trackers deliver uneven frames."""
    if len(samples) < 6:
        return math.nan
    times = np.array([t for t, _ in samples])
    angles = np.array([a for _, a in samples])
    duration = times[-1] - times[0]
    if duration <= 0:
        return math.nan
    fs = max(20.0, (len(samples) - 1) / duration)
    even_t = np.arange(times[0], times[-1], 1.0 / fs)
    even = np.interp(even_t, times, angles)
    return sparc(np.abs(np.gradient(even, 1.0 / fs)), fs)
