/** The door's answer felt as well as seen: a tone and a buzz, green or red, for a noisy crowd. */

let audio: AudioContext | undefined;

/** Browsers allow sound only after a gesture: called from the camera button and the typed check. */
export function unlockSound(): void {
  audio ??= new AudioContext();
  void audio.resume();
}

function tone(frequency: number, startAt: number, seconds: number, type: OscillatorType): void {
  if (!audio) return;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = type;
  osc.frequency.value = frequency;
  gain.gain.setValueAtTime(0.25, audio.currentTime + startAt);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + startAt + seconds);
  osc.connect(gain).connect(audio.destination);
  osc.start(audio.currentTime + startAt);
  osc.stop(audio.currentTime + startAt + seconds);
}

export function signal(ok: boolean): void {
  if (ok) {
    tone(880, 0, 0.12, "sine");
    tone(1320, 0.13, 0.18, "sine");
  } else {
    tone(220, 0, 0.45, "square");
  }
  navigator.vibrate?.(ok ? 120 : [250, 100, 250]);
}
