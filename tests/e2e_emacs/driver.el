;;; driver.el --- Emacs + Eglot as the user's editor for posthog-lsp, in batch mode  -*- lexical-binding: t -*-
;;
;; Plays the user in a real Emacs with its own LSP client (Eglot): open a Python file of the project, wait for the
;; squiggles (Flymake), list the code actions at the login handler, pick "Track user_logged_in with PostHog" the way
;; `M-x eglot-code-actions' does, save, then run "Integrate PostHog" with `eglot-execute-command'.
;; Environment: POSTHOG_LSP (server argv, space separated), TARGET (file to open), OUT (JSON report); optionally ANCHOR
;; (text on the login handler's line, default "def login"), POSTHOG_E2E_INTEGRATE=0 to skip the integrate step.
;; Exit status 0 when every step did what a user expects.

(require 'package)
(package-initialize)  ; Debian's elpa-eglot (Emacs 28); Emacs 29+ ships Eglot
(require 'eglot)
(require 'json)
(require 'cl-lib)

(defvar posthog-e2e--t0 (float-time))
(defvar posthog-e2e--report nil)
(defvar posthog-e2e--prompts nil "Questions Emacs asked the user (answered yes).")

(defun posthog-e2e--ms () (round (* 1000 (- (float-time) posthog-e2e--t0))))

(defun posthog-e2e--note (key value)
  (setq posthog-e2e--report (append posthog-e2e--report (list (cons key value))))
  (with-temp-file (getenv "OUT")
    (insert (json-encode posthog-e2e--report))))

(defun posthog-e2e--wait (predicate seconds)
  "Let Emacs run (process output, timers) until PREDICATE holds or SECONDS pass; PREDICATE's value."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

;; The user's configuration (README "Other editors"), with the server command from the environment.
(add-to-list 'eglot-server-programs
             `((python-mode python-ts-mode js-mode js-ts-mode typescript-ts-mode tsx-ts-mode)
               . ,(split-string (getenv "POSTHOG_LSP"))))
(add-hook 'python-mode-hook #'eglot-ensure)
(add-hook 'js-mode-hook #'eglot-ensure)
(setq eglot-sync-connect 10)

;; Batch mode has no minibuffer: the user answers every question with "yes".
(fset 'y-or-n-p (lambda (prompt) (push prompt posthog-e2e--prompts) t))
(fset 'yes-or-no-p (lambda (prompt) (push prompt posthog-e2e--prompts) t))

(defun posthog-e2e--server-cpu-ms (server)
  "CPU time (user + system) the server process has used so far, from /proc (Linux), or nil."
  (let ((stat (format "/proc/%d/stat" (process-id (jsonrpc--process server)))))
    (when (file-readable-p stat)
      (with-temp-buffer
        (insert-file-contents stat)
        (let ((fields (split-string (buffer-substring (1+ (search-forward ")")) (point-max)))))
          ;; utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after "pid (comm)"
          (round (* 1000 (/ (+ (string-to-number (nth 11 fields)) (string-to-number (nth 12 fields)))
                            (float (string-to-number (shell-command-to-string "getconf CLK_TCK")))))))))))

(defun posthog-e2e--diagnostics ()
  "What Flymake shows in the buffer: (line severity message)."
  (vconcat (sort (mapcar (lambda (d)
                           (vector (line-number-at-pos (flymake-diagnostic-beg d))
                                   (symbol-name (flymake-diagnostic-type d))
                                   (flymake-diagnostic-text d)))
                         (flymake-diagnostics))
                 (lambda (a b) (< (aref a 0) (aref b 0))))))

(defun posthog-e2e--run ()
  (find-file (getenv "TARGET"))
  (run-hooks 'post-command-hook)  ; eglot-ensure connects after the user's next command
  (let ((server (posthog-e2e--wait #'eglot-current-server 20)))
    (unless server (error "Eglot did not connect"))
    (posthog-e2e--note 'connected_ms (posthog-e2e--ms))
    (posthog-e2e--note 'server_info (eglot--server-info server))
    (posthog-e2e--note 'eglot_version (if (boundp 'eglot-version) eglot-version (emacs-version)))
    (posthog-e2e--note 'code_lens_provider (and (eglot--server-capable :codeLensProvider) t))
    ;; 1. squiggles
    (unless (posthog-e2e--wait #'flymake-diagnostics 20) (error "no diagnostics shown"))
    (posthog-e2e--note 'first_diagnostics_ms (posthog-e2e--ms))
    (posthog-e2e--note 'server_cpu_ms_at_first_diagnostics (posthog-e2e--server-cpu-ms server))
    (let ((count 0) (since (float-time)))  ; the start-up scan may re-check the file: wait until the count holds 1 s
      (posthog-e2e--wait (lambda ()
                           (unless (= count (length (flymake-diagnostics)))
                             (setq count (length (flymake-diagnostics)) since (float-time)))
                           (> (- (float-time) since) 1.0))
                         5))
    (posthog-e2e--note 'diagnostics (posthog-e2e--diagnostics))
    ;; 2. the code actions at the login handler, as `M-x eglot-code-actions' lists them
    (goto-char (point-min))
    (search-forward (or (getenv "ANCHOR") "def login"))
    (let* ((actions (eglot-code-actions (line-beginning-position) (line-end-position)))
           (titles (mapcar (lambda (a) (plist-get a :title)) actions))
           (track (cl-find-if (lambda (title) (string-prefix-p "Track user_logged_in with PostHog" title)) titles))
           (track-all (cl-find-if (lambda (a) (string-prefix-p "Add PostHog events" (plist-get a :title))) actions)))
      (posthog-e2e--note 'code_actions_ms (posthog-e2e--ms))
      (posthog-e2e--note 'code_actions (vconcat (mapcar (lambda (a) (vector (plist-get a :title) (plist-get a :kind)
                                                                          (if (plist-get a :edit) "edit" "no edit")
                                                                          (or (plist-get (plist-get a :command) :command) "")))
                                                        actions)))
      (posthog-e2e--note 'track_all_has_edit (and track-all (plist-get track-all :edit) t))
      (unless track (error "no Track action: %S" titles))
      ;; 3. pick it in the completing-read menu, exactly as the interactive command does, and save
      (cl-letf (((symbol-function 'completing-read) (lambda (&rest _) track))  ; the menu, on a terminal
                ((symbol-function 'x-popup-menu)  ; the menu, when the last event was a mouse click (as in batch)
                 (lambda (&rest _) (cl-find track actions :key (lambda (a) (plist-get a :title)) :test #'equal))))
        (eglot-code-actions (line-beginning-position) (line-end-position) nil t))
      (save-buffer)
      (posthog-e2e--note 'applied_ms (posthog-e2e--ms))
      (let ((on-disk (with-temp-buffer (insert-file-contents (buffer-file-name (get-file-buffer (getenv "TARGET"))))
                                       (buffer-string))))
        (posthog-e2e--note 'saved_has_capture (and (string-match-p "user_logged_in" on-disk) t))
        (posthog-e2e--note 'saved_file on-disk)))
    ;; 4. the squiggle of the tracked flow goes away after the edit
    (posthog-e2e--wait (lambda () (not (cl-some (lambda (d) (string-match-p "login" (flymake-diagnostic-text d)))
                                                (flymake-diagnostics))))
                       10)
    (posthog-e2e--note 'diagnostics_after (posthog-e2e--diagnostics))
    ;; 5. "Integrate PostHog" through workspace/executeCommand (the server asks Emacs to apply one big edit)
    (unless (equal (getenv "POSTHOG_E2E_INTEGRATE") "0")
      (let ((result (eglot-execute-command server 'posthog.integrate [])))
        (posthog-e2e--note 'integrate_ms (posthog-e2e--ms))
        (posthog-e2e--note 'integrate result)
        (save-some-buffers t)  ; C-x s, answering "save all"
        (posthog-e2e--note 'prompts (vconcat (reverse posthog-e2e--prompts)))))
    ;; Eglot waits 1.5 s for the shutdown answer before killing the server
    (let ((start (float-time)))
      (condition-case err (eglot-shutdown server)
        (error (posthog-e2e--note 'shutdown_error (error-message-string err))))
      (posthog-e2e--note 'shutdown_ms (round (* 1000 (- (float-time) start)))))
    (when (assq 'shutdown_error posthog-e2e--report) (error "the server did not answer shutdown in time"))
    (posthog-e2e--note 'ok t)))

(condition-case err
    (progn (posthog-e2e--run) (kill-emacs 0))
  (error (posthog-e2e--note 'error (error-message-string err))
         (posthog-e2e--note 'ok :json-false)
         (kill-emacs 1)))
