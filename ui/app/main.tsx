/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page's entry: mounts the shell. The only file esbuild starts from (ui/build.ts).
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
import "./styles.css";

createRoot(document.getElementById("root")!).render(<App />);
